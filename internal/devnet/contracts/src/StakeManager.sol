// SPDX-License-Identifier: MIT
pragma solidity ^0.8.17;

interface IPolygonPOLForStakeManager {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

// Model of Polygon PoS's StakeManager (0xPolygon/pos-contracts
// contracts/staking/stakeManager/StakeManager.sol, StakeManagerStorage.sol
// at ff11f0e0) for the stakewallet devnet. It keeps the real storage views
// a delegator reads (validators(id), NFTCounter, currentEpoch, epoch(),
// withdrawalDelay(), WITHDRAWAL_DELAY, delegationEnabled,
// getValidatorContract, delegatedAmount, delegatorsReward) and the real
// entry points the ValidatorShares call (delegationDepositPOL,
// transferFundsPOL, updateValidatorState, withdrawDelegatorsReward), with
// their revert strings. The same address plays the proxy: POL is approved
// to it. Validators are registered by the devnet's deployer (addValidator,
// model only) instead of stakeFor and the staking NFT; checkSignatures
// (called by the RootChain for each checkpoint) skips the signature check,
// pays CHECKPOINT_REWARD to the unlocked validators' delegators in
// proportion to their delegated amount, less commission, and advances the
// epoch as the real _finalizeCommit does. The token is POL only (no MATIC
// conversion).
contract StakeManager {
    enum Status {
        Inactive,
        Active,
        Locked,
        Unstaked
    }

    struct Validator {
        uint256 amount;
        uint256 reward;
        uint256 activationEpoch;
        uint256 deactivationEpoch;
        uint256 jailTime;
        address signer;
        address contractAddress;
        Status status;
        uint256 commissionRate;
        uint256 lastCommissionUpdate;
        uint256 delegatorsReward;
        uint256 delegatedAmount;
        uint256 initialRewardPerStake;
    }

    event DynastyValueChange(uint256 newDynasty, uint256 oldDynasty);
    event RewardUpdate(uint256 newReward, uint256 oldReward);

    uint256 internal constant MAX_COMMISION_RATE = 100;
    uint256 internal constant INITIALIZED_AMOUNT = 1;

    uint256 public WITHDRAWAL_DELAY; // unit: epoch
    uint256 public currentEpoch;
    uint256 public dynasty;
    uint256 public CHECKPOINT_REWARD;
    uint256 public totalStaked;
    uint256 public NFTCounter = 1;
    bool public delegationEnabled = true;
    mapping(uint256 => Validator) public validators;

    address private immutable polToken;
    address private immutable governance;
    address public rootChain;

    modifier onlyGovernance() {
        require(msg.sender == governance, "Only governance contract is authorized");
        _;
    }

    modifier onlyRootChain() {
        require(msg.sender == rootChain, "Only root chain contract is authorized");
        _;
    }

    modifier onlyDelegation(uint256 validatorId) {
        require(validators[validatorId].contractAddress == msg.sender, "Invalid contract address");
        _;
    }

    constructor(address _polToken, address _governance, uint256 _withdrawalDelay, uint256 _checkpointReward) {
        polToken = _polToken;
        governance = _governance;
        WITHDRAWAL_DELAY = _withdrawalDelay;
        dynasty = _withdrawalDelay;
        CHECKPOINT_REWARD = _checkpointReward;
        currentEpoch = 1;
    }

    // Model only: the RootChain that submits checkpoints.
    function setRootChain(address _rootChain) external onlyGovernance {
        rootChain = _rootChain;
    }

    // Model only: registers a validator with its self-stake (already held)
    // and ValidatorShare, Active or Locked (jailed).
    function addValidator(address signer, address share, uint256 selfStake, uint256 commissionRate, bool locked)
        external
        onlyGovernance
        returns (uint256 validatorId)
    {
        require(commissionRate <= MAX_COMMISION_RATE, "Incorrect value");
        validatorId = NFTCounter;
        Validator storage v = validators[validatorId];
        v.amount = selfStake;
        v.reward = INITIALIZED_AMOUNT;
        v.activationEpoch = currentEpoch;
        v.signer = signer;
        v.contractAddress = share;
        v.status = locked ? Status.Locked : Status.Active;
        v.commissionRate = commissionRate;
        v.lastCommissionUpdate = currentEpoch;
        v.delegatorsReward = INITIALIZED_AMOUNT;
        v.jailTime = locked ? currentEpoch : 0;
        totalStaked += selfStake;
        NFTCounter = validatorId + 1;
    }

    function epoch() public view returns (uint256) {
        return currentEpoch;
    }

    function withdrawalDelay() public view returns (uint256) {
        return WITHDRAWAL_DELAY;
    }

    function validatorStake(uint256 validatorId) public view returns (uint256) {
        return validators[validatorId].amount;
    }

    function delegatedAmount(uint256 validatorId) public view returns (uint256) {
        return validators[validatorId].delegatedAmount;
    }

    function delegatorsReward(uint256 validatorId) public view returns (uint256) {
        return validators[validatorId].delegatorsReward - INITIALIZED_AMOUNT;
    }

    function currentValidatorSetSize() public view returns (uint256 n) {
        for (uint256 id = 1; id < NFTCounter; id++) {
            if (validators[id].status == Status.Active) n++;
        }
    }

    function currentValidatorSetTotalStake() public view returns (uint256) {
        return totalStaked;
    }

    function getValidatorContract(uint256 validatorId) public view returns (address) {
        return validators[validatorId].contractAddress;
    }

    function isValidator(uint256 validatorId) public view returns (bool) {
        Validator storage v = validators[validatorId];
        return v.amount > 0 && (v.activationEpoch != 0 && (v.deactivationEpoch == 0 || v.deactivationEpoch > currentEpoch))
            && v.status == Status.Active;
    }

    function updateCheckpointReward(uint256 newReward) public onlyGovernance {
        require(newReward != 0);
        emit RewardUpdate(newReward, CHECKPOINT_REWARD);
        CHECKPOINT_REWARD = newReward;
    }

    function updateDynastyValue(uint256 newDynasty) public onlyGovernance {
        require(newDynasty > 0);
        emit DynastyValueChange(newDynasty, dynasty);
        dynasty = newDynasty;
        WITHDRAWAL_DELAY = newDynasty;
    }

    function setDelegationEnabled(bool enabled) public onlyGovernance {
        delegationEnabled = enabled;
    }

    function transferFundsPOL(uint256 validatorId, uint256 amount, address delegator) external returns (bool) {
        require(validators[validatorId].contractAddress == msg.sender, "not allowed");
        return IPolygonPOLForStakeManager(polToken).transfer(delegator, amount);
    }

    function delegationDepositPOL(uint256 validatorId, uint256 amount, address delegator)
        external
        onlyDelegation(validatorId)
        returns (bool)
    {
        return IPolygonPOLForStakeManager(polToken).transferFrom(delegator, address(this), amount);
    }

    function updateValidatorState(uint256 validatorId, int256 amount) public onlyDelegation(validatorId) {
        if (amount > 0) {
            require(delegationEnabled, "Delegation is disabled");
        }
        uint256 deactivationEpoch = validators[validatorId].deactivationEpoch;
        if (deactivationEpoch != 0 && deactivationEpoch > currentEpoch) {
            revert("unstaking");
        }
        if (amount >= 0) {
            validators[validatorId].delegatedAmount += uint256(amount);
            totalStaked += uint256(amount);
        } else {
            validators[validatorId].delegatedAmount -= uint256(-amount);
            totalStaked -= uint256(-amount);
        }
    }

    function withdrawDelegatorsReward(uint256 validatorId) public onlyDelegation(validatorId) returns (uint256) {
        uint256 totalReward = validators[validatorId].delegatorsReward - INITIALIZED_AMOUNT;
        validators[validatorId].delegatorsReward = INITIALIZED_AMOUNT;
        return totalReward;
    }

    function checkSignatures(uint256, bytes32, bytes32, address, uint256[3][] calldata)
        external
        onlyRootChain
        returns (uint256)
    {
        uint256 reward = CHECKPOINT_REWARD;
        uint256 total;
        for (uint256 id = 1; id < NFTCounter; id++) {
            if (validators[id].status == Status.Active) total += validators[id].amount + validators[id].delegatedAmount;
        }
        if (total > 0) {
            for (uint256 id = 1; id < NFTCounter; id++) {
                Validator storage v = validators[id];
                if (v.status != Status.Active || v.delegatedAmount == 0) continue;
                uint256 share = reward * v.delegatedAmount / total;
                uint256 commission = share * v.commissionRate / MAX_COMMISION_RATE;
                v.delegatorsReward += share - commission;
                v.reward += commission;
            }
        }
        currentEpoch = currentEpoch + 1;
        return reward;
    }
}
