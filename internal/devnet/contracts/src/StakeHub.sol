// SPDX-License-Identifier: MIT
pragma solidity ^0.8.17;

interface IStakeCreditForHub {
    function delegate(address delegator) external payable returns (uint256);
    function undelegate(address delegator, uint256 shares) external returns (uint256);
    function claim(address payable delegator, uint256 number) external returns (uint256);
    function distributeReward(uint64 commissionRate) external payable;
    function totalPooledBNB() external view returns (uint256);
}

// Model of BNB Smart Chain's StakeHub (bnb-chain/bsc-genesis-contract
// contracts/StakeHub.sol at 34618f6, with Protectable and SystemV2) for the
// stakewallet devnet, at the real system address 0x…2002. Every function,
// event and custom error it has carries the real signature; what a user
// calls behaves as on BSC (delegate with the minimum and the jailed rule,
// undelegate by shares, claim(operator, n) in FIFO order, claimBatch, the
// pause and blacklist guards). Model-only: the validators are registered by
// the admin at genesis (addValidator, instead of createValidator with BLS
// proofs), the admin is also the governance (updateParam, without the
// governance bounds, so the devnet can unbond in seconds), the protector
// (pause, blacklist) and the validator-set contract (distributeReward pays
// rewards); GovToken voting power is not modelled.
contract StakeHub {
    /*----------------- constants -----------------*/
    address public constant DEAD_ADDRESS = address(0xdEaD);
    uint256 public constant LOCK_AMOUNT = 1 ether;
    uint256 public constant REDELEGATE_FEE_RATE_BASE = 100000; // 100%
    uint256 public constant BREATHE_BLOCK_INTERVAL = 1 days;

    /*----------------- errors -----------------*/
    // @notice signature: 0x5f28f62b
    error ValidatorExisted();
    // @notice signature: 0x056e8811
    error ValidatorNotExisted();
    // @notice signature: 0x4b6b857d
    error ValidatorNotJailed();
    // @notice signature: 0x2f64097e
    error SelfDelegationNotEnough();
    // @notice signature: 0xdc6f0bdd
    error DelegationAmountTooSmall();
    // @notice signature: 0x64689203
    error OnlySelfDelegation();
    // @notice signature: 0x9811e0c7
    error ZeroShares();
    // @notice signature: 0xf0e3e629
    error SameValidator();
    // @notice signature: 0x90b8ec18
    error TransferFailed();
    // @notice signature: 0x41abc801
    error InvalidRequest();
    // @notice signature: 0x5c32dd9c
    error JailTimeNotExpired();
    // SystemV2
    error UnknownParam(string key, bytes value);
    error InvalidValue(string key, bytes value);
    error OnlySystemContract(address systemContract);
    // Protectable
    error AlreadyPaused();
    error NotPaused();
    error InBlackList();
    error OnlyProtector();

    /*----------------- events -----------------*/
    event ValidatorCreated(
        address indexed consensusAddress,
        address indexed operatorAddress,
        address indexed creditContract,
        bytes voteAddress
    );
    event StakeCreditInitialized(address indexed operatorAddress, address indexed creditContract);
    event Delegated(address indexed operatorAddress, address indexed delegator, uint256 shares, uint256 bnbAmount);
    event Undelegated(address indexed operatorAddress, address indexed delegator, uint256 shares, uint256 bnbAmount);
    event Claimed(address indexed operatorAddress, address indexed delegator, uint256 bnbAmount);
    event RewardDistributed(address indexed operatorAddress, uint256 reward);
    event RewardDistributeFailed(address indexed operatorAddress, bytes failReason);
    event ValidatorJailed(address indexed operatorAddress);
    event ValidatorUnjailed(address indexed operatorAddress);
    event ParamChange(string key, bytes value);
    event Paused();
    event Resumed();
    event BlackListed(address indexed target);
    event UnBlackListed(address indexed target);

    /*----------------- structs -----------------*/
    struct Description {
        string moniker;
        string identity;
        string website;
        string details;
    }

    struct Commission {
        uint64 rate; // the commission rate charged to delegators(10000 is 100%)
        uint64 maxRate;
        uint64 maxChangeRate;
    }

    struct Validator {
        address consensusAddress;
        address operatorAddress;
        address creditContract;
        uint256 createdTime;
        Description description;
        Commission commission;
        bool jailed;
        uint256 jailUntil;
    }

    /*----------------- storage -----------------*/
    uint256 public transferGasLimit;
    uint256 public minSelfDelegationBNB;
    uint256 public minDelegationBNBChange;
    uint256 public maxElectedValidators;
    uint256 public unbondPeriod;
    uint256 public redelegateFeeRate;

    address[] private _validatorSet;
    mapping(address => bool) private _exists;
    mapping(address => Validator) private _validators;
    mapping(address => address) public consensusToOperator;

    bool private _paused;
    mapping(address => bool) public blackList;
    address private immutable _admin;

    /*----------------- modifiers -----------------*/
    modifier validatorExist(address operatorAddress) {
        if (!_exists[operatorAddress]) revert ValidatorNotExisted();
        _;
    }

    modifier whenNotPaused() {
        if (_paused) revert AlreadyPaused();
        _;
    }

    modifier whenPaused() {
        if (!_paused) revert NotPaused();
        _;
    }

    modifier notInBlackList() {
        if (blackList[msg.sender]) revert InBlackList();
        _;
    }

    modifier onlyAdmin() {
        if (msg.sender != _admin) revert OnlySystemContract(_admin);
        _;
    }

    modifier onlyProtector() {
        if (msg.sender != _admin) revert OnlyProtector();
        _;
    }

    /// The real initialize() defaults (StakeHub.initialize at 34618f6), with
    /// maxElectedValidators and the unbond period given by the devnet.
    constructor(address admin, uint256 _maxElectedValidators, uint256 _unbondPeriod) {
        _admin = admin;
        transferGasLimit = 5000;
        minSelfDelegationBNB = 2000 ether;
        minDelegationBNBChange = 1 ether;
        maxElectedValidators = _maxElectedValidators;
        unbondPeriod = _unbondPeriod;
        redelegateFeeRate = 2;
    }

    /*----------------- model-only -----------------*/
    /// Registers a validator whose StakeCredit the devnet created with the
    /// self-delegation (the real createValidator deploys it).
    function addValidator(
        address operatorAddress,
        address consensusAddress,
        address creditContract,
        string calldata moniker,
        uint64 commissionRate,
        bool jailed
    ) external onlyAdmin {
        if (_exists[operatorAddress]) revert ValidatorExisted();
        _exists[operatorAddress] = true;
        _validatorSet.push(operatorAddress);
        Validator storage v = _validators[operatorAddress];
        v.consensusAddress = consensusAddress;
        v.operatorAddress = operatorAddress;
        v.creditContract = creditContract;
        v.createdTime = block.timestamp;
        v.description.moniker = moniker;
        v.commission = Commission({ rate: commissionRate, maxRate: 10000, maxChangeRate: 500 });
        v.jailed = jailed;
        if (jailed) v.jailUntil = type(uint64).max;
        consensusToOperator[consensusAddress] = operatorAddress;
        emit ValidatorCreated(consensusAddress, operatorAddress, creditContract, "");
        emit StakeCreditInitialized(operatorAddress, creditContract);
        if (jailed) emit ValidatorJailed(operatorAddress);
    }

    /// The governance setter (SystemV2 onlyGov): here the admin, without the
    /// governance bounds on unbondPeriod (3–30 days on BSC).
    function updateParam(string calldata key, bytes calldata value) external onlyAdmin {
        if (value.length != 32) revert InvalidValue(key, value);
        uint256 v = abi.decode(value, (uint256));
        bytes32 k = keccak256(bytes(key));
        if (k == keccak256("transferGasLimit")) {
            if (v < 2300 || v > 10_000) revert InvalidValue(key, value);
            transferGasLimit = v;
        } else if (k == keccak256("minDelegationBNBChange")) {
            if (v < 0.1 ether || v > 10 ether) revert InvalidValue(key, value);
            minDelegationBNBChange = v;
        } else if (k == keccak256("maxElectedValidators")) {
            if (v == 0 || v > 500) revert InvalidValue(key, value);
            maxElectedValidators = v;
        } else if (k == keccak256("unbondPeriod")) {
            unbondPeriod = v;
        } else if (k == keccak256("redelegateFeeRate")) {
            if (v > 100) revert InvalidValue(key, value);
            redelegateFeeRate = v;
        } else {
            revert UnknownParam(key, value);
        }
        emit ParamChange(key, value);
    }

    /*----------------- delegator functions -----------------*/
    function delegate(
        address operatorAddress,
        bool delegateVotePower
    ) external payable whenNotPaused notInBlackList validatorExist(operatorAddress) {
        delegateVotePower; // GovToken voting power is not modelled
        uint256 bnbAmount = msg.value;
        if (bnbAmount < minDelegationBNBChange) revert DelegationAmountTooSmall();

        address delegator = msg.sender;
        Validator memory valInfo = _validators[operatorAddress];
        if (valInfo.jailed && delegator != operatorAddress) revert OnlySelfDelegation();

        uint256 shares = IStakeCreditForHub(valInfo.creditContract).delegate{ value: bnbAmount }(delegator);
        emit Delegated(operatorAddress, delegator, shares, bnbAmount);
    }

    function undelegate(
        address operatorAddress,
        uint256 shares
    ) external whenNotPaused notInBlackList validatorExist(operatorAddress) {
        if (shares == 0) revert ZeroShares();

        address delegator = msg.sender;
        Validator memory valInfo = _validators[operatorAddress];

        uint256 bnbAmount = IStakeCreditForHub(valInfo.creditContract).undelegate(delegator, shares);
        emit Undelegated(operatorAddress, delegator, shares, bnbAmount);
    }

    function claim(address operatorAddress, uint256 requestNumber) external whenNotPaused notInBlackList {
        _claim(operatorAddress, requestNumber);
    }

    function claimBatch(
        address[] calldata operatorAddresses,
        uint256[] calldata requestNumbers
    ) external whenNotPaused notInBlackList {
        if (operatorAddresses.length != requestNumbers.length) revert InvalidRequest();
        for (uint256 i; i < operatorAddresses.length; ++i) {
            _claim(operatorAddresses[i], requestNumbers[i]);
        }
    }

    /*----------------- system functions -----------------*/
    /// Rewards of a validator (the real caller is the validator-set
    /// contract; here the admin): into its credit, less the commission.
    function distributeReward(address consensusAddress) external payable onlyAdmin {
        address operatorAddress = consensusToOperator[consensusAddress];
        Validator memory valInfo = _validators[operatorAddress];
        if (valInfo.creditContract == address(0) || valInfo.jailed) {
            (bool ok,) = _admin.call{ value: msg.value }("");
            ok;
            emit RewardDistributeFailed(operatorAddress, "INVALID_VALIDATOR");
            return;
        }
        IStakeCreditForHub(valInfo.creditContract).distributeReward{ value: msg.value }(valInfo.commission.rate);
        emit RewardDistributed(operatorAddress, msg.value);
    }

    /*----------------- Protectable -----------------*/
    function isPaused() external view returns (bool) {
        return _paused;
    }

    function pause() external onlyProtector whenNotPaused {
        _paused = true;
        emit Paused();
    }

    function resume() external onlyProtector whenPaused {
        _paused = false;
        emit Resumed();
    }

    function addToBlackList(address account) external onlyProtector {
        blackList[account] = true;
        emit BlackListed(account);
    }

    function removeFromBlackList(address account) external onlyProtector {
        delete blackList[account];
        emit UnBlackListed(account);
    }

    /*----------------- view functions -----------------*/
    function getValidators(
        uint256 offset,
        uint256 limit
    ) external view returns (address[] memory operatorAddrs, address[] memory creditAddrs, uint256 totalLength) {
        totalLength = _validatorSet.length;
        if (offset >= totalLength) {
            return (operatorAddrs, creditAddrs, totalLength);
        }

        limit = limit == 0 ? totalLength : limit;
        uint256 count = (totalLength - offset) > limit ? limit : (totalLength - offset);
        operatorAddrs = new address[](count);
        creditAddrs = new address[](count);
        for (uint256 i; i < count; ++i) {
            operatorAddrs[i] = _validatorSet[offset + i];
            creditAddrs[i] = _validators[operatorAddrs[i]].creditContract;
        }
    }

    function getValidatorCreditContract(address operatorAddress) external view returns (address creditContract) {
        creditContract = _validators[operatorAddress].creditContract;
    }

    function getValidatorBasicInfo(
        address operatorAddress
    ) external view returns (uint256 createdTime, bool jailed, uint256 jailUntil) {
        Validator memory valInfo = _validators[operatorAddress];
        createdTime = valInfo.createdTime;
        jailed = valInfo.jailed;
        jailUntil = valInfo.jailUntil;
    }

    function getValidatorDescription(
        address operatorAddress
    ) external view validatorExist(operatorAddress) returns (Description memory) {
        return _validators[operatorAddress].description;
    }

    function getValidatorCommission(
        address operatorAddress
    ) external view validatorExist(operatorAddress) returns (Commission memory) {
        return _validators[operatorAddress].commission;
    }

    /*----------------- internal functions -----------------*/
    function _claim(address operatorAddress, uint256 requestNumber) internal validatorExist(operatorAddress) {
        uint256 bnbAmount =
            IStakeCreditForHub(_validators[operatorAddress].creditContract).claim(payable(msg.sender), requestNumber);
        emit Claimed(operatorAddress, msg.sender, bnbAmount);
    }
}
