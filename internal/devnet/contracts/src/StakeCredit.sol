// SPDX-License-Identifier: MIT
pragma solidity ^0.8.17;

interface IStakeHubForCredit {
    function unbondPeriod() external view returns (uint256);
    function transferGasLimit() external view returns (uint256);
    function LOCK_AMOUNT() external view returns (uint256);
    function DEAD_ADDRESS() external view returns (address);
    function BREATHE_BLOCK_INTERVAL() external view returns (uint256);
}

// Model of BNB Smart Chain's StakeCredit (bnb-chain/bsc-genesis-contract
// contracts/StakeCredit.sol at 34618f6) for the stakewallet devnet: one per
// validator, a share token of the validator's pool that cannot be
// transferred or approved, holding the BNB and each delegator's FIFO queue
// of unbond requests. Every function, event and custom error it has carries
// the real signature; the real contract's initialize(validator, moniker)
// is this model's constructor (with the StakeHub's address, which the real
// one has as a constant), and the request queue is a plain array with a
// head index instead of OpenZeppelin's DoubleEndedQueue (same errors).
contract StakeCredit {
    uint256 private constant COMMISSION_RATE_BASE = 10_000; // 100%

    // @notice signature: 0x2fe8dae9
    error ZeroTotalShares();
    // @notice signature: 0xf6ed9ce0
    error ZeroTotalPooledBNB();
    // @notice signature: 0x8cd22d19
    error TransferNotAllowed();
    // @notice signature: 0x20287471
    error ApproveNotAllowed();
    // @notice signature: 0x858f9ae4
    error WrongInitContext();
    // @notice signature: 0x90b8ec18
    error TransferFailed();
    // @notice signature: 0x1f2a2005
    error ZeroAmount();
    // @notice signature: 0x9811e0c7
    error ZeroShares();
    // @notice signature: 0xf4d678b8
    error InsufficientBalance();
    // @notice signature: 0xad418937
    error NoUnbondRequest();
    // @notice signature: 0x0f363824
    error NoClaimableUnbondRequest();
    // @notice signature: 0xb19e9115
    error RequestExisted();
    // SystemV2
    error OnlySystemContract(address systemContract);
    // OpenZeppelin 4.9 DoubleEndedQueue
    error Empty();
    error OutOfBounds();

    struct UnbondRequest {
        uint256 shares;
        uint256 bnbAmount;
        uint256 unlockTime;
    }

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event RewardReceived(uint256 rewardToAll, uint256 commission);

    address private immutable STAKE_HUB_ADDR;

    string private _name;
    string private _symbol;
    uint256 private _totalSupply;
    mapping(address => uint256) private _balances;

    address public validator; // validator's operator address
    uint256 public totalPooledBNB; // total reward plus total BNB staked in the pool

    mapping(bytes32 => UnbondRequest) private _unbondRequests;
    mapping(address => bytes32[]) private _queue;
    mapping(address => uint256) private _queueHead;
    mapping(address => uint256) private _unbondSequence;

    mapping(uint256 => uint256) public rewardRecord;
    mapping(uint256 => uint256) public totalPooledBNBRecord;

    modifier onlyStakeHub() {
        if (msg.sender != STAKE_HUB_ADDR) revert OnlySystemContract(STAKE_HUB_ADDR);
        _;
    }

    bool private _entered;

    modifier nonReentrant() {
        require(!_entered, "ReentrancyGuard: reentrant call");
        _entered = true;
        _;
        _entered = false;
    }

    // The real initialize(_validator, _moniker), called by the StakeHub
    // with the validator's self-delegation; here by the devnet's deployer.
    constructor(address stakeHub, address _validator, string memory _moniker) payable {
        STAKE_HUB_ADDR = stakeHub;
        _name = string.concat("Stake ", _moniker, " Credit");
        _symbol = string.concat("st", _moniker);
        validator = _validator;
        uint256 toLock = IStakeHubForCredit(stakeHub).LOCK_AMOUNT();
        if (msg.value <= toLock || _validator == address(0)) revert WrongInitContext();
        _mint(IStakeHubForCredit(stakeHub).DEAD_ADDRESS(), toLock);
        _mint(_validator, msg.value - toLock);
        totalPooledBNB = msg.value;
    }

    receive() external payable onlyStakeHub {
        uint256 index = block.timestamp / IStakeHubForCredit(STAKE_HUB_ADDR).BREATHE_BLOCK_INTERVAL();
        totalPooledBNBRecord[index] = totalPooledBNB;
        rewardRecord[index] += msg.value;
        totalPooledBNB += msg.value;
    }

    /*----------------- ERC-20 -----------------*/
    function name() external view returns (string memory) { return _name; }
    function symbol() external view returns (string memory) { return _symbol; }
    function decimals() external pure returns (uint8) { return 18; }
    function totalSupply() public view returns (uint256) { return _totalSupply; }
    function balanceOf(address account) public view returns (uint256) { return _balances[account]; }
    function allowance(address, address) external pure returns (uint256) { return 0; }
    function transfer(address, uint256) external pure returns (bool) { revert TransferNotAllowed(); }
    function transferFrom(address, address, uint256) external pure returns (bool) { revert TransferNotAllowed(); }
    function approve(address, uint256) external pure returns (bool) { revert ApproveNotAllowed(); }

    /*----------------- external functions -----------------*/
    function delegate(address delegator) external payable onlyStakeHub returns (uint256 shares) {
        if (msg.value == 0) revert ZeroAmount();
        shares = _mintAndSync(delegator, msg.value);
        if (shares == 0) revert ZeroShares();
    }

    function undelegate(address delegator, uint256 shares) external onlyStakeHub returns (uint256 bnbAmount) {
        if (shares == 0) revert ZeroShares();
        if (shares > balanceOf(delegator)) revert InsufficientBalance();

        bnbAmount = _burnAndSync(delegator, shares);
        uint256 unlockTime = block.timestamp + IStakeHubForCredit(STAKE_HUB_ADDR).unbondPeriod();
        UnbondRequest memory request = UnbondRequest({ shares: shares, bnbAmount: bnbAmount, unlockTime: unlockTime });
        bytes32 hash = keccak256(abi.encodePacked(delegator, _unbondSequence[delegator]++));
        if (_unbondRequests[hash].shares != 0) revert RequestExisted();
        _unbondRequests[hash] = request;
        _queue[delegator].push(hash);
    }

    function claim(address payable delegator, uint256 number) external onlyStakeHub nonReentrant returns (uint256) {
        uint256 length = _length(delegator);
        if (length == 0) revert NoUnbondRequest();
        number = (number == 0 || number > length) ? length : number;

        uint256 _totalBnbAmount;
        while (number != 0) {
            bytes32 hash = _front(delegator);
            UnbondRequest memory request = _unbondRequests[hash];
            if (block.timestamp < request.unlockTime) {
                break;
            }
            _queueHead[delegator]++;
            _totalBnbAmount += request.bnbAmount;
            --number;
        }
        if (_totalBnbAmount == 0) revert NoClaimableUnbondRequest();

        uint256 _gasLimit = IStakeHubForCredit(STAKE_HUB_ADDR).transferGasLimit();
        (bool success,) = delegator.call{ gas: _gasLimit, value: _totalBnbAmount }("");
        if (!success) revert TransferFailed();

        return _totalBnbAmount;
    }

    function distributeReward(uint64 commissionRate) external payable onlyStakeHub {
        uint256 bnbAmount = msg.value;
        uint256 _commission = (bnbAmount * uint256(commissionRate)) / COMMISSION_RATE_BASE;
        uint256 _reward = bnbAmount - _commission;

        uint256 index = block.timestamp / IStakeHubForCredit(STAKE_HUB_ADDR).BREATHE_BLOCK_INTERVAL();
        totalPooledBNBRecord[index] = totalPooledBNB;
        rewardRecord[index] += _reward;
        totalPooledBNB += _reward;

        _mintAndSync(validator, _commission);

        emit RewardReceived(_reward, _commission);
    }

    /*----------------- view functions -----------------*/
    function getSharesByPooledBNB(uint256 bnbAmount) public view returns (uint256) {
        if (totalPooledBNB == 0) revert ZeroTotalPooledBNB();
        return (bnbAmount * totalSupply()) / totalPooledBNB;
    }

    function getPooledBNBByShares(uint256 shares) public view returns (uint256) {
        if (totalSupply() == 0) revert ZeroTotalShares();
        return (shares * totalPooledBNB) / totalSupply();
    }

    function unbondRequest(address delegator, uint256 _index) public view returns (UnbondRequest memory) {
        return _unbondRequests[_at(delegator, _index)];
    }

    function pendingUnbondRequest(address delegator) public view returns (uint256) {
        return _length(delegator);
    }

    function claimableUnbondRequest(address delegator) public view returns (uint256) {
        uint256 length = _length(delegator);
        uint256 count;
        for (uint256 i; i < length; ++i) {
            UnbondRequest memory request = _unbondRequests[_at(delegator, i)];
            if (block.timestamp >= request.unlockTime) {
                ++count;
            } else {
                break;
            }
        }
        return count;
    }

    function lockedBNBs(address delegator, uint256 number) public view returns (uint256) {
        uint256 length = _length(delegator);
        if (length == 0) {
            return 0;
        }
        number = (number == 0 || number > length) ? length : number;
        uint256 _totalBnbAmount;
        for (uint256 i; i < number; ++i) {
            _totalBnbAmount += _unbondRequests[_at(delegator, i)].bnbAmount;
        }
        return _totalBnbAmount;
    }

    function unbondSequence(address delegator) public view returns (uint256) {
        return _unbondSequence[delegator];
    }

    function getPooledBNB(address account) public view returns (uint256) {
        return getPooledBNBByShares(balanceOf(account));
    }

    /*----------------- internal functions -----------------*/
    function _length(address delegator) internal view returns (uint256) {
        return _queue[delegator].length - _queueHead[delegator];
    }

    function _front(address delegator) internal view returns (bytes32) {
        if (_length(delegator) == 0) revert Empty();
        return _queue[delegator][_queueHead[delegator]];
    }

    function _at(address delegator, uint256 index) internal view returns (bytes32) {
        if (index >= _length(delegator)) revert OutOfBounds();
        return _queue[delegator][_queueHead[delegator] + index];
    }

    function _mint(address account, uint256 amount) internal {
        _totalSupply += amount;
        _balances[account] += amount;
        emit Transfer(address(0), account, amount);
    }

    function _burn(address account, uint256 amount) internal {
        _balances[account] -= amount;
        _totalSupply -= amount;
        emit Transfer(account, address(0), amount);
    }

    function _mintAndSync(address account, uint256 bnbAmount) internal returns (uint256 shares) {
        shares = getSharesByPooledBNB(bnbAmount);
        _mint(account, shares);
        totalPooledBNB += bnbAmount;
    }

    function _burnAndSync(address account, uint256 shares) internal returns (uint256 bnbAmount) {
        bnbAmount = getPooledBNBByShares(shares);
        _burn(account, shares);
        totalPooledBNB -= bnbAmount;
    }
}
